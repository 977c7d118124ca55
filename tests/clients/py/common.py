"""Shared set-up for the Python scenarios: one generated client per role and
small checked helpers, so that every value the scenarios use comes from the
generated models or from an explicit runtime test."""

import os
import sys
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from typing import NoReturn, TypeVar
from uuid import UUID

from aimd_client import AuthenticatedClient, Client
from aimd_client.types import Response

# Demo records (data/demo) the scenarios rely on.
NEN = UUID("01938000-0000-7000-8000-000000001001")
BRAM = UUID("01938000-0000-7000-8000-000000002002")
NEN_GROUP = UUID("01938000-0000-7000-8000-000000003057")

R = TypeVar("R")
T = TypeVar("T")


class CheckFailed(Exception):
    pass


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise CheckFailed(f"{name} is not set")
    return value


def anonymous() -> Client:
    # Undocumented statuses raise instead of quietly parsing to None.
    return Client(base_url=env("AIMD_API"), raise_on_unexpected_status=True)


def with_key(variable: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=env("AIMD_API"), token=env(variable), raise_on_unexpected_status=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def fail(message: str) -> NoReturn:
    raise CheckFailed(f"check failed: {message}")


def expect(response: Response[R], kind: type[T], status: HTTPStatus, what: str) -> T:
    """The parsed body of a response with the expected status and model.

    Every generated `parsed` is a union (the success model, `Problem`, and
    an untyped 304 member where a 304 is declared), so it is narrowed here
    by isinstance."""
    parsed = response.parsed
    if response.status_code != status or not isinstance(parsed, kind):
        fail(f"{what}: expected {status.value} {kind.__name__}, got {response.status_code.value}: {response.content[:300]!r}")
    return parsed


def if_match(version: int) -> str:
    """The If-Match value for a record: its version, quoted, which the spec's
    If-Match pattern admits; it works where a response declares no ETag."""
    return f'"{version}"'


def main(name: str, body: Callable[[], None]) -> None:
    started = time.monotonic()
    try:
        body()
    except Exception:
        print(f"FAIL py {name}:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
    print(f"ok   py {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
