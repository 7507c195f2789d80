"""Every default of the signing layer, and the names its modules share, in one place."""

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

#: Seconds to wait for a connection; reads and writes get DEFAULT_TIMEOUT.
DEFAULT_CONNECT_TIMEOUT: Final = 5.0

#: Retries after the first attempt, for the faults that are safe to retry (see _retry.py).
DEFAULT_MAX_RETRIES: Final = 2
#: Backoff before retry n is min(DEFAULT_MAX_DELAY, DEFAULT_BASE_DELAY * 2**(n-1)) times a jitter in [0.5, 1].
DEFAULT_BASE_DELAY: Final = 0.5
DEFAULT_MAX_DELAY: Final = 8.0
#: The longest Retry-After that is waited for; a longer one raises at once.
DEFAULT_MAX_RETRY_AFTER: Final = 60.0

#: The largest answer read, in bytes, before and after decompression; a larger one raises
#: ResponseTooLargeError. A 10,000-row listCall page is about 4 MB.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024

#: What one attempt may read from the socket, status line, headers, chunk framing (sizes, extensions),
#: trailers and body together: max_response_bytes, plus a quarter of it for the framing of a body sent in
#: small chunks, plus this many bytes for headers and trailers. More is refused (ResponseTooLargeError).
WIRE_OVERHEAD_BYTES: Final = 256 * 1024

#: The largest webhook body parse_webhook/verify_webhook read; a larger one is refused before hashing.
DEFAULT_MAX_WEBHOOK_BYTES: Final = 4 * 1024 * 1024

#: The only host the wiki documents; ``Callbot()`` uses it when neither base_url nor CALLBOT_BASE_URL is set.
DEFAULT_BASE_URL: Final = "https://nxbot.nxcloud.com"

#: Environment variables read by ``Callbot()``/``AsyncCallbot()`` for the arguments left as None, and
#: CALLBOT_LOG (``debug`` or ``info``) which switches the ``callbot`` logger on with a stderr handler.
ENV_BASE_URL: Final = "CALLBOT_BASE_URL"
ENV_UUID: Final = "CALLBOT_UUID"
ENV_SECRET_KEY: Final = "CALLBOT_SECRET_KEY"
ENV_ALGORITHM: Final = "CALLBOT_ALGORITHM"
ENV_LOG: Final = "CALLBOT_LOG"

#: Characters of an unexpected response body quoted in UnexpectedResponseError.
BODY_EXCERPT_CHARS: Final = 200

#: The logger that gets a DEBUG record per attempt and an INFO record per retry (never the sign or the key).
LOGGER_NAME: Final = "callbot"

#: ``request.extensions`` keys: the requestID of the request's current attempt, the attempt's number (from 1)
#: and when it started (``time.perf_counter()``); set by ``CallbotAuth.sign_request`` on every attempt.
REQUEST_ID_EXTENSION: Final = "callbot.request_id"
ATTEMPT_EXTENSION: Final = "callbot.attempt"
STARTED_EXTENSION: Final = "callbot.started"

#: ``response.extensions`` keys: the decoded, verified and checked JSON body of the answer (the generated
#: functions read it there instead of parsing the body again) and its envelope (an ``Envelope``).
JSON_EXTENSION: Final = "callbot.json"
ENVELOPE_EXTENSION: Final = "callbot.envelope"
