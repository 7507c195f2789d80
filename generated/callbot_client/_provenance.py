"""What this package was generated from. Written by openapi/spec_to_json.py during `make generate`;
`make check-generated` fails when it does not match the spec, the generator and the templates."""

#: sha256 of openapi/callbot.yaml, the spec this package was generated from.
SPEC_SHA256 = "76e797e743c4a7705a714651bc5f024006bd2a56822f0c1ad79b7848906132e2"
#: The version of openapi-python-client that generated it.
GENERATOR_VERSION = "0.29.1"
#: sha256 of the generator settings (openapi/generator.yaml) and the custom templates (openapi/templates/).
TEMPLATES_SHA256 = "fc86cb899fbc312c0d33120a77409471b4d3dc5371ac5a1696d9b0899e627886"
