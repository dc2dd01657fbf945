"""A small hand-made watch history for the video case's tests, in the schema's shape."""

import pandas as pd


def interactions(rows) -> pd.DataFrame:
    """``(user_id, video_id, time, engagement)`` rows as an interactions table, sorted by time."""
    frame = pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])
    return frame.sort_values("time", kind="stable", ignore_index=True)


# users 0 and 1 share taste (videos 0, 1, 2); user 2 likes 3 and 4; video 0 is the most watched
HISTORY = interactions([
    (0, 0, 0.0, 1.0), (0, 1, 1.0, 1.0), (1, 0, 2.0, 1.0), (1, 1, 3.0, 0.9), (1, 2, 4.0, 1.0),
    (2, 3, 5.0, 1.0), (2, 4, 6.0, 1.0), (2, 0, 7.0, 0.2), (3, 0, 8.0, 1.0),
])
