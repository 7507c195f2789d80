"""Write the spec as JSON beside the generated client, for code that needs it at run time (the sandbox).

Usage: python openapi/spec_to_json.py openapi/callbot.yaml generated/callbot_client/openapi.json
"""

import json
import sys
from pathlib import Path

import yaml

source, target = map(Path, sys.argv[1:3])
spec = yaml.safe_load(source.read_text(encoding="utf-8"))
target.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
