"""Every default of the signing layer, in one place."""

from typing import Final

#: Header names as the wiki prints them. HTTP header names are case-insensitive, so `requestId`
#: (the spelling of the wiki's Python sample) reaches the same header.
REQUEST_ID_HEADER: Final = "requestID"
UUID_HEADER: Final = "uuid"
CREATE_TS_HEADER: Final = "createTs"
SIGN_HEADER: Final = "sign"
ALGORITHM_HEADER: Final = "algorithm"

#: Algorithms the wiki allows; MD5 is what the service assumes when the header is left out.
ALGORITHMS: Final = ("MD5", "SHA256")
DEFAULT_ALGORITHM: Final = "MD5"

#: Seconds a response's createTs may differ from the local clock (the wiki sets no window;
#: 300 s is the tolerance Stripe uses for its webhook signatures).
DEFAULT_MAX_CLOCK_SKEW: Final = 300

#: Seconds to wait for the service; httpx and the generated client would otherwise wait forever.
DEFAULT_TIMEOUT: Final = 30.0
