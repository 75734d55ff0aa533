"""Validate an SBOM: `validate.py cyclonedx FILE` against the official CycloneDX 1.5
JSON schema (vendored from the cyclonedx-python-lib wheel), `validate.py spdx FILE`
with the official SPDX tools (spdx-tools: parse + full SPDX 2.3 validation).
Exit 0 when valid; errors on stdout."""
import json
import pathlib
import sys

kind, path = sys.argv[1], sys.argv[2]
if kind == "cyclonedx":
    import jsonschema
    from referencing import Registry, Resource

    here = pathlib.Path(__file__).parent / "schemas"
    resources = []
    for name in ["bom-1.5.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]:
        schema = json.loads((here / name).read_text())
        resource = Resource.from_contents(schema, default_specification=__import__("referencing.jsonschema").jsonschema.DRAFT7)
        # The bom schema refers to "spdx.SNAPSHOT.schema.json" relative to its
        # own $id (http://cyclonedx.org/schema/…): register that address too.
        resources.append((name, resource))
        resources.append(("http://cyclonedx.org/schema/" + name, resource))
    registry = Registry().with_resources(resources)
    schema = json.loads((here / "bom-1.5.SNAPSHOT.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(json.loads(pathlib.Path(path).read_text())), key=lambda e: list(e.path))
    for e in errors[:20]:
        print(f"{'/'.join(map(str, e.path))}: {e.message[:300]}")
    sys.exit(1 if errors else 0)
elif kind == "spdx":
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    document = parse_file(path)
    messages = validate_full_spdx_document(document)
    for m in messages[:20]:
        print(m.validation_message)
    sys.exit(1 if messages else 0)
else:
    sys.exit(f"unknown kind {kind}")
