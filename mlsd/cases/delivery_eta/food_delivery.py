"""The Kaggle food-delivery data set ``deliverytime.txt``, read from a file the learner brings,
mapped onto the orders table of :mod:`.schema`.

The file is not shipped with the kit nor downloaded by it: it is on Kaggle (search "food delivery
time prediction", file ``deliverytime.txt``). Put it at
``datasets/real/food_delivery/deliverytime.txt``. Nothing here touches the network.

The layout (:data:`FOOD_DELIVERY`): comma-separated, the header :data:`HEADER`, one line per order
in India. ``ID`` is a hex string (``4607``, ``B379``); ``Delivery_person_ID`` reads
``CITYRESnnDELmm`` (``INDORES13DEL02``); text fields may end with spaces (stripped);
``Time_taken(min)`` is a whole number of minutes >= 1. Every line is checked by
:func:`mlsd.readers.read_table`: a missing file (the message says where to get it), a wrong
header, a line cut short or with the wrong field count, a non-numeric value (a duration that is
not an integer) raises one :class:`~mlsd.readers.DataFileError` naming the file, the line (from
1, the header included) and the problem; nothing is returned.

Coordinates. The set is in India, north of the equator and east of Greenwich, but some
coordinates are written negative and some exactly 0. A negative latitude or longitude is taken
as its absolute value (counted); a pair with an exact 0 in it is unknown (counted): its distance
is NaN, and for a restaurant its ``store_id`` is ``<NA>``. ``distance_km`` is the haversine
distance on a sphere of radius :data:`EARTH_RADIUS_KM`::

    a = sin²(Δφ / 2) + cos φ₁ · cos φ₂ · sin²(Δλ / 2),   d = 2 R · asin(√a)

with φ the latitudes and λ the longitudes in radians (restaurant, then delivery location).

Mapping onto :mod:`.schema` (rows in file order):

=========================================  =======================================================
``order_id``                               0 … n − 1, the line's order in the file
``time``, ``day``, ``hour``, ``weekday``   NaN / ``<NA>``: no timestamps (only a random split)
``market``                                 dense code (sorted) of the city prefix of
                                           ``Delivery_person_ID``: the text before its first
                                           ``RES`` (``INDORES13DEL02`` → ``INDO``); ``<NA>`` if
                                           it has no ``RES`` or nothing before it
``store_id``                               dense code (sorted) of the fixed (restaurant latitude,
                                           longitude) pair; ``<NA>`` where it has a 0
``category``                               ``Type_of_order``, stripped
``total_items``, ``distinct_items``        ``<NA>``
``subtotal``, ``drive_estimate_min``       NaN
``distance_km``                            the haversine distance above, NaN where unknown
real-time columns, ``rain``, ``holiday``   NaN
``duration_min``                           ``Time_taken(min)``
``delivered_time``                         NaN (no ``time``)
=========================================  =======================================================

After the schema's columns come :data:`EXTRA_COLUMNS`: ``courier_id`` (dense code, sorted, of the
stripped ``Delivery_person_ID``), ``courier_age``, ``courier_rating`` and ``vehicle``
(``Type_of_vehicle``, stripped). The counts of fixed and unknown coordinates are in
``table.attrs["report"]``, read by :func:`food_delivery_report`.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.schema import COLUMNS, check_table
from mlsd.readers import Field, Layout, check_file, read_table
from mlsd.simulation import libm

EARTH_RADIUS_KM = 6371.0
"""The sphere's radius of the haversine distance (the mean Earth radius)."""
CITY_MARK = "RES"
"""What ends the city prefix of a ``Delivery_person_ID``."""
HEADER = (
    "ID,Delivery_person_ID,Delivery_person_Age,Delivery_person_Ratings,Restaurant_latitude,"
    "Restaurant_longitude,Delivery_location_latitude,Delivery_location_longitude,Type_of_order,"
    "Type_of_vehicle,Time_taken(min)"
)
"""The first line of ``deliverytime.txt``."""
NOT_SHIPPED = (
    "the Kaggle food-delivery data set deliverytime.txt (on Kaggle, 'food delivery time "
    "prediction'). The kit does not ship it and never downloads it: fetch it yourself and put it "
    "at datasets/real/food_delivery/deliverytime.txt"
)
EXTRA_COLUMNS = ("courier_id", "courier_age", "courier_rating", "vehicle")
"""The table's columns after the schema's, in order."""
COORDINATES = ("Restaurant_latitude", "Restaurant_longitude", "Delivery_location_latitude",
               "Delivery_location_longitude")
REPORT_KEYS = ("rows", "restaurant_negative", "restaurant_zero", "delivery_negative",
               "delivery_zero", "distance_unknown", "market_unknown")
"""The keys of :func:`food_delivery_report`'s dict, in order."""

FOOD_DELIVERY = Layout(
    "the Kaggle food-delivery set deliverytime.txt: comma-separated, the header "
    f"{HEADER[:40]}… (11 columns)",
    ",",
    (
        Field("ID", str),
        Field("Delivery_person_ID", str),
        Field("Delivery_person_Age", float, low=0),
        Field("Delivery_person_Ratings", float, low=0),
        *(Field(name, float, low=-180, high=180) for name in COORDINATES),
        Field("Type_of_order", str),
        Field("Type_of_vehicle", str),
        Field("Time_taken(min)", int, low=1),
    ),
    header=HEADER,
)


def load_food_delivery(path: str | os.PathLike) -> pd.DataFrame:
    """Read the Kaggle food-delivery set ``deliverytime.txt`` and map it onto the orders table.

    Parameters
    ----------
    path : str or os.PathLike
        The file, e.g. ``datasets/real/food_delivery/deliverytime.txt``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`~.schema.COLUMNS`, then :data:`EXTRA_COLUMNS`, mapped as the module
        docstring says; one row per line, in file order; index 0 … n − 1. It passes
        :func:`~.schema.check_table` (with no timestamps). ``attrs["report"]`` holds the counts
        of :func:`food_delivery_report`.

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing (the message says where to get it) or empty, its header is not
        :data:`HEADER`, or a line is bad (cut short, a wrong field count, a value that does not
        parse or is out of range); the message names the file, the line and the problem.
    """
    path = check_file(path, NOT_SHIPPED)
    line = read_table(path, FOOD_DELIVERY)
    n = len(line)
    restaurant, restaurant_negative, restaurant_zero = _fixed(
        line["Restaurant_latitude"], line["Restaurant_longitude"])
    delivery, delivery_negative, delivery_zero = _fixed(
        line["Delivery_location_latitude"], line["Delivery_location_longitude"])
    distance = haversine_km(*restaurant, *delivery)
    courier = line["Delivery_person_ID"].str.strip()
    parts = courier.str.partition(CITY_MARK)
    city = parts[0].to_numpy(dtype=object)
    city = np.where((parts[1] == CITY_MARK).to_numpy() & (city != ""), city, None)
    store_codes = np.full(n, -1, dtype=np.int64)
    known = ~restaurant_zero
    pairs = pd.MultiIndex.from_arrays([restaurant[0][known], restaurant[1][known]])
    store_codes[known] = pd.factorize(pairs, sort=True)[0]
    unknown_counts = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
    nan = np.full(n, np.nan)
    table = {
        "order_id": np.arange(n, dtype=np.int64),
        "time": nan,
        "day": unknown_counts,
        "hour": unknown_counts,
        "weekday": unknown_counts,
        "market": _nullable_codes(city),
        "store_id": pd.arrays.IntegerArray(np.maximum(store_codes, 0), store_codes < 0),
        "category": line["Type_of_order"].str.strip().to_numpy(dtype=object),
        "total_items": unknown_counts,
        "distinct_items": unknown_counts,
        "subtotal": nan,
        "distance_km": distance,
        "drive_estimate_min": nan,
        "outstanding_orders": nan,
        "onshift_couriers": nan,
        "busy_couriers": nan,
        "rain": nan,
        "holiday": nan,
        "duration_min": line["Time_taken(min)"].to_numpy(dtype=np.float64),
        "delivered_time": nan,
        "courier_id": pd.factorize(courier.to_numpy(dtype=object), sort=True)[0].astype(np.int64),
        "courier_age": line["Delivery_person_Age"].to_numpy(dtype=np.float64),
        "courier_rating": line["Delivery_person_Ratings"].to_numpy(dtype=np.float64),
        "vehicle": line["Type_of_vehicle"].str.strip().to_numpy(dtype=object),
    }
    orders = pd.DataFrame({name: table[name] for name in (*COLUMNS, *EXTRA_COLUMNS)})
    orders.attrs["report"] = {
        "rows": n,
        "restaurant_negative": int(restaurant_negative.sum()),
        "restaurant_zero": int(restaurant_zero.sum()),
        "delivery_negative": int(delivery_negative.sum()),
        "delivery_zero": int(delivery_zero.sum()),
        "distance_unknown": int(np.isnan(distance).sum()),
        "market_unknown": int(pd.isna(city).sum()),
    }
    return check_table(orders, source=str(path))


def food_delivery_report(orders: pd.DataFrame) -> dict[str, int]:
    """What :func:`load_food_delivery` fixed and left unknown, for a notebook to print.

    Returns
    -------
    dict
        In the order of :data:`REPORT_KEYS`: ``rows``; rows whose restaurant pair had a negative
        coordinate (made positive), or an exact 0 (unknown); the same for the delivery location;
        ``distance_unknown`` (rows with a 0 in either pair); ``market_unknown`` (a courier id
        without a city prefix).

    Raises
    ------
    ValueError
        If ``orders`` carries no report (it was not returned by :func:`load_food_delivery`, or an
        operation dropped its ``attrs``).
    """
    report = orders.attrs.get("report")
    if not isinstance(report, dict) or tuple(report) != REPORT_KEYS:
        raise ValueError("orders: no food-delivery report in attrs; pass the table "
                         "load_food_delivery returned")
    return dict(report)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """The great-circle distance in km between points given in degrees (module docstring), on a
    sphere of radius :data:`EARTH_RADIUS_KM`; NaN where a coordinate is NaN. The sines and cosines
    are the C library's (:func:`mlsd.simulation.libm`), not numpy's SIMD loops, so a distance is
    the same to the last bit on every CPU."""
    phi1, lam1, phi2, lam2 = (np.asarray(v, dtype=np.float64) * (math.pi / 180)
                              for v in (lat1, lon1, lat2, lon2))
    a = (libm(math.sin, (phi2 - phi1) / 2) ** 2
         + libm(math.cos, phi1) * libm(math.cos, phi2) * libm(math.sin, (lam2 - lam1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * libm(math.asin, np.sqrt(np.minimum(a, 1.0)))


def _fixed(latitude: pd.Series, longitude: pd.Series):
    """((lat, lon) with negatives made positive and pairs holding a 0 set to NaN), rows with a
    negative value, rows with a 0."""
    lat = latitude.to_numpy(dtype=np.float64)
    lon = longitude.to_numpy(dtype=np.float64)
    negative = (lat < 0) | (lon < 0)
    zero = (lat == 0) | (lon == 0)
    lat, lon = np.abs(lat), np.abs(lon)
    lat[zero], lon[zero] = np.nan, np.nan
    return (lat, lon), negative, zero


def _nullable_codes(texts: np.ndarray) -> pd.arrays.IntegerArray:
    """Dense codes of texts (sorted), ``<NA>`` where None."""
    codes, _ = pd.factorize(pd.Series(texts, dtype=object), sort=True)
    missing = codes < 0
    return pd.arrays.IntegerArray(np.where(missing, 0, codes).astype(np.int64), missing)
