"""The client tests' shared fixture: a Callbot against a live sandbox that records every request it gets."""

from ..mock_service import recorded as recorded
