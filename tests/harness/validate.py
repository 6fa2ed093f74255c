#!/usr/bin/python3
"""Validates a results.json against docs/results.schema.json (Debian's python3-jsonschema).
usage: validate.py SCHEMA RESULTS  -> exit 0 valid, 1 invalid (errors on stderr), 77 no jsonschema."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    sys.exit(77)

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    doc = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:20]:
    print("%s: %s" % ("/".join(str(p) for p in e.path) or "(top)", e.message), file=sys.stderr)
sys.exit(1 if errors else 0)
