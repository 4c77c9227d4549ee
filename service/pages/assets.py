"""``GET /auth/assets/passkeys.js``: the script of the passkey button, the only script the
pages load (their Content-Security-Policy names this one file)."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get

from service.routing import options

SCRIPT = (Path(__file__).with_name("static") / "passkeys.js").read_bytes()
PATH = "/auth/assets/passkeys.js"


@get(
    PATH,
    summary="The passkey button's script (hosted sign-in pages)",
    tags=["pages"],
    media_type="text/javascript",
    opt=options(answers=("text/javascript",)),
)
async def passkeys_script() -> Response[bytes]:
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
