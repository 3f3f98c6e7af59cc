"""IntTable, the numpy hash set behind the Chinese look-ups, against a Python set and dict."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner.int_table import EMPTY, IntTable

KEYS = st.lists(st.integers(min_value=0, max_value=2**63 - 1), max_size=300)


@settings(max_examples=200, deadline=None)
@given(KEYS, KEYS, st.sampled_from([0.25, 0.5, 0.9]))
def test_membership_and_values_equal_a_dict(
    members: list[int], queries: list[int], load: float
) -> None:
    # small keys collide in their home slots: the probing path is exercised
    members += [m % 64 for m in members]
    table = IntTable(np.array(members, dtype=np.int64), load=load)
    assert table.size == len(set(members)) and table.members.tolist() == sorted(set(members))
    asked = np.array(queries + members, dtype=np.int64)
    slots = table.slots(asked)
    stored = table.keys[slots]
    assert ((stored == asked) | (stored == EMPTY)).all()
    assert table.contains(asked).tolist() == [q in set(members) for q in asked.tolist()]
    value_of = {m: 7 * m % 1000 for m in members}
    keys = np.array(list(value_of), dtype=np.int64)
    values = table.values_for(keys, np.array(list(value_of.values()), dtype=np.int64), -1)
    assert values[slots].tolist() == [value_of.get(q, -1) for q in asked.tolist()]


def test_empty_table_and_negative_keys() -> None:
    empty = IntTable(np.zeros(0, dtype=np.int64))
    assert not empty.contains(np.array([0, 5, 2**62], dtype=np.int64)).any()
    with pytest.raises(ValueError):
        IntTable(np.array([3, -1], dtype=np.int64))
