"""Import for its effect: RPC callers get Parkmatch's errors back as
themselves, with their details, instead of a generic RemoteError. Every
process that makes or serves RPC calls imports this."""
from nameko.exceptions import deserialize_to_instance

from services.contracts import errors

for _error in errors.ALL:
    deserialize_to_instance(_error)
