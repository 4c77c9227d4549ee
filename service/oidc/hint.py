"""Reading an ``id_token_hint`` (OpenID Connect RP-Initiated Logout 1.0, section 2): an ID
token this service signed, possibly expired, naming the client (``aud``) and the person
(``sub``). Only its signature and issuer are checked; nothing it says is trusted further than
choosing which client's registered logout URIs apply."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from joserfc import jws
from joserfc.errors import JoseError

from service.config import Settings
from service.security.keys import KeyRing


@dataclass(frozen=True, slots=True)
class Hint:
    client_id: str
    subject: str


async def read_hint(keyring: KeyRing, settings: Settings, token: str) -> Hint | None:
    if len(token) > 8192 or token.count(".") != 2:
        return None
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(header, dict) or header.get("typ") != "JWT":
        return None
    key = await keyring.find(str(header.get("kid", "")))
    if key is None or header.get("alg") != key.algorithm:
        return None
    try:
        claims = json.loads(jws.deserialize_compact(token, key.key, [key.algorithm]).payload)
    except (JoseError, ValueError):
        return None
    if not isinstance(claims, dict) or claims.get("iss") != settings.public_base_url:
        return None
    aud, sub = claims.get("aud"), claims.get("sub")
    if not isinstance(aud, str) or not isinstance(sub, str):
        return None
    return Hint(aud, sub)
