/*
 * What a cell is: a workload, a model (its table entry) and a connection count.
 * Apart from cell.h so that what builds a run's processes (servers/, load_cmd.c)
 * reads it without depending on the cell's driver.
 */
#ifndef RS_CELL_SPEC_H
#define RS_CELL_SPEC_H

struct cell_spec {
	const struct rs_workload *workload;
	const char *model;
	const struct model_info *info; /* the model's table entry (lib/models.h) */
	unsigned long connections;
	int index, total; /* position in the suite, for progress */
};

#endif
