"""The installed version of nxcloud-callbot."""

from importlib import metadata

try:
    __version__ = metadata.version("nxcloud-callbot")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
