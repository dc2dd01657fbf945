"""`mlsd claims`: every notebook over several seeds, and the table of which claims hold on each."""

from kit_factory import BODY, run_mlsd, write_notebook

CLAIMS = BODY + """\
mlsd.claim("sample_is_small", "the sample's mean is within 1 of 0", abs(sample.mean()) < 1)
mlsd.claim("seed_is_even", "the seed is even", seed % 2 == 0)
"""


def test_claims_runs_each_seed_and_writes_the_table_of_which_hold(tmp_path):
    root = tmp_path / "kit"
    write_notebook(root / "notebooks" / "01_toy_case" / "1_framing.ipynb", body=CLAIMS)
    (root / "exercises").mkdir()
    table = tmp_path / "CLAIMS.md"
    result = run_mlsd("--root", str(root), "claims", "--all", "--seeds", "1", "2", "--jobs", "2",
                      "--out", str(tmp_path / "runs"), "--table", str(table))
    assert result.returncode == 1, result.stdout + result.stderr  # one claim fails on seed 1
    text = table.read_text()
    assert "**1 of 2 claims hold on every seed.**" in text
    assert ("| `notebooks/01_toy_case/1_framing.ipynb` | the sample's mean is within 1 of 0 "
            "(`sample_is_small`) | ✓ | ✓ | holds |") in text
    assert "| the seed is even (`seed_is_even`) | ✗ | ✓ | **no** |" in text
    assert "1 of 2 claims hold on every seed" in result.stdout
    assert (tmp_path / "runs" / "seed-2" / "notebooks" / "01_toy_case" / "1_framing.ipynb").is_file()


def test_claims_refuses_repeated_seeds_before_running_anything(tmp_path):
    result = run_mlsd("claims", "--all", "--seeds", "1", "1", "--out", str(tmp_path / "runs"))
    assert result.returncode == 2
    assert "--seeds must be distinct integers >= 0; got [1, 1]" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_failing_claim_stops_a_plain_run(tmp_path):
    root = tmp_path / "kit"
    write_notebook(root / "notebooks" / "01_toy_case" / "1_framing.ipynb", body=CLAIMS)
    (root / "exercises").mkdir()
    result = run_mlsd("--root", str(root), "run", "--all", "-p", "seed", "3", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "ClaimFailed: claim seed_is_even does not hold: the seed is even" in result.stdout + result.stderr
