"""A client library for accessing NXCloud Callbot API"""

from ._provenance import GENERATOR_VERSION, SPEC_SHA256, TEMPLATES_SHA256
from .client import AuthenticatedClient, Client

__all__ = (
    "GENERATOR_VERSION",
    "SPEC_SHA256",
    "TEMPLATES_SHA256",
    "AuthenticatedClient",
    "Client",
)
