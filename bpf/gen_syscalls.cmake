# Generates the syscall-name table from the system's asm/unistd_64.h
# (`#define __NR_name N` lines), so names always match the kernel headers.
# Usage: cmake -DUNISTD=/path/unistd_64.h -DOUT=syscall_names.h -DLIMIT=512 -P gen_syscalls.cmake
if(NOT UNISTD OR NOT OUT OR NOT LIMIT)
	message(FATAL_ERROR "gen_syscalls.cmake: UNISTD, OUT and LIMIT are required")
endif()
file(STRINGS ${UNISTD} lines REGEX "^#define __NR_[A-Za-z0-9_]+[ \t]+[0-9]+")
set(body "")
set(max -1)
foreach(line IN LISTS lines)
	string(REGEX REPLACE "^#define __NR_([A-Za-z0-9_]+)[ \t]+([0-9]+).*$" "\\1;\\2" pair "${line}")
	list(GET pair 0 name)
	list(GET pair 1 nr)
	if(nr GREATER_EQUAL LIMIT)
		message(FATAL_ERROR "syscall ${name} = ${nr} does not fit PROBE_NR_SYSCALLS (${LIMIT})")
	endif()
	string(APPEND body "\t[${nr}] = \"${name}\",\n")
	if(nr GREATER max)
		set(max ${nr})
	endif()
endforeach()
if(max LESS 0)
	message(FATAL_ERROR "no __NR_ definitions in ${UNISTD}")
endif()
math(EXPR size "${max} + 1")
file(WRITE ${OUT}.tmp
	"/* Generated from ${UNISTD} by gen_syscalls.cmake; do not edit. */\n"
	"#define PROBE_SYSCALL_TABLE_SIZE ${size}\n"
	"static const char *const probe_syscall_table[PROBE_SYSCALL_TABLE_SIZE] = {\n"
	"${body}};\n")
file(RENAME ${OUT}.tmp ${OUT})
