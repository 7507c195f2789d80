"""What this package was generated from. Written by openapi/spec_to_json.py during `make generate`;
`make check-generated` fails when it does not match the spec, the generator and the templates."""

#: sha256 of openapi/callbot.yaml, the spec this package was generated from.
SPEC_SHA256 = "4ba1766004287d2ca42b3d58c072f22dd87bced72009482fdbbec80c1a4aeebc"
#: The version of openapi-python-client that generated it.
GENERATOR_VERSION = "0.29.1"
#: sha256 of the generator settings (openapi/generator.yaml) and the custom templates (openapi/templates/).
TEMPLATES_SHA256 = "fcbb4412fa4598f35059aaa3540bc3bb209bd834fefa8b54808c50cc2e4cdca0"
