"""The envelope every Parkmatch event travels in.

The envelope is the same for every event type; the payload schema depends on
(type, version) and is looked up in `events.REGISTRY`. Producers validate
before publishing (`make_event`), consumers validate on receipt
(`parse_event`), so a malformed event is caught on whichever side broke the
contract.
"""
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate


class ContractError(ValueError):
    """An event does not satisfy its published contract.

    Retrying cannot fix it, so consumers dead-letter it at once.
    """

    def __init__(self, message, errors=None):
        super().__init__(message if not errors else f"{message}: {errors}")
        self.errors = errors or {}


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    type = fields.Str(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    producer = fields.Str(required=True, validate=validate.Length(min=1))
    correlation_id = fields.Str(required=True, validate=validate.Length(min=1))
    causation_id = fields.Str(load_default=None, allow_none=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class Event:
    event_id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str
    causation_id: str | None
    payload: dict = field(default_factory=dict)

    def to_message(self):
        """The JSON-ready dict that goes on the wire."""
        return {
            "event_id": self.event_id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "payload": self.payload,
        }


def _payload_schema(event_type, version):
    from .events import REGISTRY

    try:
        return REGISTRY[(event_type, version)]
    except KeyError:
        raise ContractError(f"unknown event {event_type!r} version {version}") from None


def make_event(event_type, payload, producer, correlation_id=None, causation_id=None,
               version=None, occurred_at=None):
    """Build and validate an event; raises ContractError if the payload is wrong."""
    from .events import CURRENT_VERSION

    if version is None:
        version = CURRENT_VERSION.get(event_type)
        if version is None:
            raise ContractError(f"unknown event type {event_type!r}")
    schema = _payload_schema(event_type, version)
    wire_payload = schema.dump(payload)
    errors = schema.validate(wire_payload)
    if errors:
        raise ContractError(f"{event_type} v{version} payload invalid", errors)
    event_id = str(uuid.uuid4())
    return Event(
        event_id=event_id,
        type=event_type,
        version=version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        payload=wire_payload,
    )


def parse_event(message):
    """Validate a wire message and return an Event whose payload is loaded
    (dates as dates, etc.). Raises ContractError."""
    if not isinstance(message, dict):
        raise ContractError("event body is not a JSON object")
    try:
        envelope = EnvelopeSchema().load(message)
    except ValidationError as exc:
        raise ContractError("envelope invalid", exc.messages) from None
    schema = _payload_schema(envelope["type"], envelope["version"])
    try:
        payload = schema.load(envelope["payload"])
    except ValidationError as exc:
        raise ContractError(
            f"{envelope['type']} v{envelope['version']} payload invalid", exc.messages
        ) from None
    return Event(
        event_id=str(envelope["event_id"]),
        type=envelope["type"],
        version=envelope["version"],
        occurred_at=envelope["occurred_at"],
        producer=envelope["producer"],
        correlation_id=envelope["correlation_id"],
        causation_id=envelope["causation_id"],
        payload=payload,
    )
