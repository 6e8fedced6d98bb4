"""Importing a folder that holds entries the server cannot read (issue 13, item 12): they are
skipped and listed in ``fails``, as H2O-3 lists them; never a 500."""
import os

import requests

from .conftest import assert_h2o_error


def test_a_folder_with_unreadable_entries_imports_the_rest_and_lists_them(url, tmp_path):
    (tmp_path / "good.csv").write_text("a,b\n1,2\n")
    os.symlink(tmp_path / "gone.csv", tmp_path / "dangling.csv")  # a link to nothing
    os.mkfifo(tmp_path / "pipe.csv")                                 # opening it would block
    answer = requests.post(f"{url}/3/ImportFiles", data={"path": str(tmp_path)})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["files"] == [str(tmp_path / "good.csv")]
    assert sorted(body["fails"]) == [str(tmp_path / "dangling.csv"), str(tmp_path / "pipe.csv")]


def test_a_folder_where_nothing_can_be_read_is_a_400_naming_it(url, tmp_path):
    os.symlink(tmp_path / "gone.csv", tmp_path / "dangling.csv")
    answer = requests.post(f"{url}/3/ImportFiles", data={"path": str(tmp_path)})
    assert_h2o_error(answer, 400, "Could not read 1 file", "dangling.csv")


def test_importing_etc_is_never_a_server_error(url):
    answer = requests.post(f"{url}/3/ImportFiles", data={"path": "/etc"})
    assert answer.status_code in (200, 400), answer.text
    body = answer.json()
    if answer.status_code == 200:
        assert body["files"] and all(path not in body["files"] for path in body["fails"])
