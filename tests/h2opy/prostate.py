"""The prostate data set through h2o-py, as most h2o-py tests here start."""

# The predictors the tests train on (ID left out, CAPSULE the response).
X = ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


def upload_prostate(h2o, data_dir, categorical=("CAPSULE",)):
    """prostate.csv uploaded to the server under test, with ``categorical`` columns made enums."""
    h2o.no_progress()
    frame = h2o.upload_file(str(data_dir / "prostate.csv"))
    for name in categorical:
        frame[name] = frame[name].asfactor()
    return frame
