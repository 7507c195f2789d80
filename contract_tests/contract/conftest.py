"""The contract tests' shared fixture: a sandbox served on 127.0.0.1 for the two accounts of signed_exchanges."""

from ..signed_exchanges import served as served
