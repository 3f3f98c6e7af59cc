"""orjson (de)serialisation of records: the only codec on the hot path (never pickle)."""

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def dumps(value: BaseModel | dict[str, Any]) -> bytes:
    data = value.model_dump() if isinstance(value, BaseModel) else value
    return orjson.dumps(data, option=orjson.OPT_UTC_Z)


def loads(payload: bytes | str) -> Any:
    return orjson.loads(payload)


def load_record(payload: bytes, model: type[M]) -> M:
    return model.model_validate(orjson.loads(payload))
