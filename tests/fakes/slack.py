"""Everything a Slack adapter test needs from the fakes, in one import.

from tests.fakes.slack import FakeSlack, SlackRequestSigner, slash_command_payload
"""

from tests.fakes.slack_blocks import block_problems, view_problems
from tests.fakes.slack_clock import SteppedSeconds, monotonic_seconds
from tests.fakes.slack_signing import (
    HttpReply,
    SignedRequest,
    SlackRequestSigner,
    block_actions_payload,
    event_callback_payload,
    slash_command_payload,
    text_input_values,
    view_submission_payload,
)
from tests.fakes.slack_socket import SocketAck, SocketAckTimeout, SocketConnection
from tests.fakes.slack_spec import MethodSpec, web_api_methods
from tests.fakes.slack_web import (
    FakeSlack,
    PostedMessage,
    ResponseUrlPost,
    SlackCall,
    UploadedFile,
)

__all__ = [
    "FakeSlack",
    "HttpReply",
    "MethodSpec",
    "PostedMessage",
    "ResponseUrlPost",
    "SignedRequest",
    "SlackCall",
    "SlackRequestSigner",
    "SocketAck",
    "SocketAckTimeout",
    "SocketConnection",
    "SteppedSeconds",
    "UploadedFile",
    "block_actions_payload",
    "block_problems",
    "event_callback_payload",
    "monotonic_seconds",
    "slash_command_payload",
    "text_input_values",
    "view_problems",
    "view_submission_payload",
    "web_api_methods",
]
