"""client.split_frame on both servers (issue 13, item 9): every part's id, train/test names by
default, a seed that makes the split reproducible, ratios with or without the last part."""
import pytest

from h2odash.client.api import split_part_names, split_part_ratios


@pytest.mark.parametrize("given, expected", [([0.8], [0.8]), ([0.8, 0.2], [0.8]), ([0.6, 0.2], [0.6, 0.2]),
                                             ([0.6, 0.2, 0.2], [0.6, 0.2])])
def test_ratios_with_or_without_the_last_part(given, expected):
    assert split_part_ratios(given) == pytest.approx(expected)


@pytest.mark.parametrize("given", [[], [1.0], [0.7, 0.5], [0], [-0.2]])
def test_ratios_that_cannot_split_are_refused(given):
    with pytest.raises(ValueError):
        split_part_ratios(given)


def test_default_part_names():
    assert split_part_names("prostate.hex", 2) == ["prostate_train.hex", "prostate_test.hex"]
    assert split_part_names("cars", 3) == ["cars_train", "cars_valid", "cars_test"]
    assert split_part_names("cars", 4)[3] == "cars_part3"


@pytest.fixture
def prostate(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("split") + ".hex")


def _ids(client, frame_id):
    return client.frame_to_pandas(frame_id)["ID"].tolist()


def test_split_returns_every_part_named_train_and_test(client, prostate):
    parts = client.split_frame(prostate, [0.8, 0.2], seed=42)
    assert parts == split_part_names(prostate, 2) and parts[0].endswith("_train.hex")
    ids = [_ids(client, p) for p in parts]
    assert sorted(ids[0] + ids[1]) == list(range(1, 381))   # every row in exactly one part
    assert 0.7 < len(ids[0]) / 380 < 0.9
    # random, not consecutive blocks (H2O-3's own SplitFrame would give rows 1..304)
    assert max(ids[1]) > 350 and min(ids[1]) < 100


def test_the_same_seed_gives_the_same_parts(client, prostate, frame_name):
    first = client.split_frame(prostate, [0.7, 0.2], [frame_name("a"), frame_name("b"), frame_name("c")], seed=7)
    again = client.split_frame(prostate, [0.7, 0.2], [frame_name("a"), frame_name("b"), frame_name("c")], seed=7)
    assert [_ids(client, p) for p in first] == [_ids(client, p) for p in again]
    rows = [client.frame(p, row_count=0)["rows"] for p in first]
    assert sum(rows) == 380 and len(rows) == 3
