"""Small files in the two published delivery layouts (DoorDash's historical_data.csv, the Kaggle
food-delivery deliverytime.txt), with the awkward lines each real file has, for the loaders' and
the notebooks' tests."""

from mlsd.cases.delivery_eta.doordash import HEADER as DOORDASH_HEADER
from mlsd.cases.delivery_eta.food_delivery import HEADER as FOOD_HEADER

DOORDASH_LINES = [  # lines 2 … 8 of historical_data.csv
    "1.0,2015-02-06 22:24:17,2015-02-06 23:27:16,1845,american,1.0,4,3441,4,557,1239,33.0,14.0,"
    "21.0,446,861.0",
    "2.0,2015-02-10 21:49:25,2015-02-10 22:56:29,5477,mexican,2.0,1,1900,1,1400,1400,1.0,2.0,2.0,"
    "446,690.0",
    # no market, category, protocol, busy count or drive estimate; negative counts; a negative
    # minimum price
    ",2015-01-22 20:39:28,2015-01-22 21:09:09,5477,,,1,1900,1,-86,1900,-2.0,,-1.0,251,",
    # no delivery time: dropped
    "3.0,2015-02-01 10:00:00,,99,thai,1.0,2,1000,2,500,500,5.0,5.0,5.0,251,300.0",
    # the earliest checkout, but about 104 days: dropped
    "1.0,2015-01-20 01:00:00,2015-05-04 00:00:00,7,thai,1.0,2,1000,2,500,500,5.0,5.0,5.0,251,"
    "300.0",
    # delivered a minute before checkout: dropped
    "1.0,2015-02-03 12:00:00,2015-02-03 11:59:00,7,thai,1.0,2,1000,2,500,500,5.0,5.0,5.0,251,"
    "300.0",
    # the same checkout as line 2: kept after it
    "1.0,2015-02-06 22:24:17,2015-02-06 22:54:17,1845,american,3.0,2,0,1,0,0,0.0,0.0,0.0,60,"
    "120.0",
]

FOOD_LINES = [  # lines 2 … 8 of deliverytime.txt
    "4607,INDORES13DEL02,37,4.9,22.745049,75.892471,22.765049,75.912471,Snack ,motorcycle ,24",
    "B379,BANGRES18DEL02,34,4.5,12.913041,77.683237,13.043041,77.813237,Snack ,scooter ,33",
    "5D6D,BANGRES19DEL01,23,4.4,12.914264,77.6784,12.924264,77.6884,Drinks ,motorcycle ,26",
    # a restaurant written south and west
    "7A6A,COIMBRES13DEL02,38,4.7,-11.003669,-76.976494,11.053669,77.026494,Buffet ,motorcycle ,21",
    # a restaurant at 0, 0: unknown
    "70A2,CHENRES12DEL01,32,4.6,0.0,0.0,0.11,0.05,Meal ,electric_scooter ,40",
    # line 3's restaurant and courier, with a trailing space on the courier
    "9BB4,BANGRES18DEL02 ,30,4.8,12.913041,77.683237,12.923041,77.693237,Snack ,bicycle ,15",
    # a courier id without a city; a delivery latitude written south
    "C1D2,UNKNOWN01,29,5.0,22.745049,75.892471,-22.755049,75.902471,Meal ,scooter ,30",
]


def write_lines(path, lines, newline="\n"):
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def write_doordash(path, lines=DOORDASH_LINES, header=DOORDASH_HEADER):
    return write_lines(path, [header, *lines])


def write_food(path, lines=FOOD_LINES, header=FOOD_HEADER):
    return write_lines(path, [header, *lines])


DOORDASH_CATEGORIES = ("american", "mexican", "pizza", "thai", "indian", "burger")


def doordash_log(n_orders=3_000, seed=0):
    """``n_orders`` plausible lines of historical_data.csv over four weeks of 2015 in four
    markets, after the awkward :data:`DOORDASH_LINES`: durations of preparation, a wait growing
    with busy dashers and the drive, in seconds, timestamps UTC."""
    import datetime as dt

    import numpy as np

    rng = np.random.default_rng(seed)
    start = dt.datetime(2015, 1, 21)
    lines = list(DOORDASH_LINES)
    for _ in range(n_orders):
        created = start + dt.timedelta(seconds=float(rng.uniform(0, 28 * 86_400)))
        market, store = int(rng.integers(1, 5)), int(rng.integers(1, 120))
        onshift = int(rng.integers(5, 80))
        busy = int(rng.integers(0, onshift + 1))
        outstanding = int(busy + rng.integers(0, 30))
        drive = int(rng.integers(200, 1_500))
        items = int(rng.integers(1, 6))
        seconds = 900 + 1.3 * drive + 600 * outstanding / onshift + rng.gamma(2.0, 300.0)
        delivered = created + dt.timedelta(seconds=float(seconds))
        price = int(rng.integers(300, 2_500))
        row = [f"{market}.0", created.strftime("%Y-%m-%d %H:%M:%S"),
               delivered.strftime("%Y-%m-%d %H:%M:%S"), store,
               DOORDASH_CATEGORIES[store % len(DOORDASH_CATEGORIES)], f"{rng.integers(1, 6)}.0",
               items, items * price, max(1, items - 1), price, price, f"{onshift}.0",
               f"{busy}.0", f"{outstanding}.0", int(rng.choice([251, 446])), f"{drive}.0"]
        lines.append(",".join(str(value) for value in row))
    return lines


FOOD_CITIES = {"INDO": (22.745, 75.892), "BANG": (12.913, 77.683), "COIMB": (11.003, 76.976),
               "CHEN": (13.08, 80.27)}


def food_log(n_orders=2_000, seed=0):
    """``n_orders`` plausible lines of deliverytime.txt in four cities after the awkward
    :data:`FOOD_LINES`: minutes growing with the haversine distance, trailing spaces kept."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lines = list(FOOD_LINES)
    cities = list(FOOD_CITIES.items())
    for i in range(n_orders):
        city, (lat, lon) = cities[int(rng.integers(len(cities)))]
        restaurant = int(rng.integers(1, 30))
        r_lat, r_lon = lat + restaurant * 0.003, lon + restaurant * 0.002
        d_lat, d_lon = r_lat + rng.uniform(0.005, 0.12), r_lon + rng.uniform(0.005, 0.12)
        km = 111 * float(np.hypot(d_lat - r_lat, d_lon - r_lon))
        minutes = int(round(12 + 1.6 * km + rng.gamma(2.0, 4.0)))
        row = [f"{i:04X}", f"{city}RES{restaurant:02d}DEL0{int(rng.integers(1, 4))}",
               int(rng.integers(20, 40)), round(float(rng.uniform(3.5, 5.0)), 1),
               f"{r_lat:.6f}", f"{r_lon:.6f}", f"{d_lat:.6f}", f"{d_lon:.6f}",
               rng.choice(["Snack ", "Meal ", "Drinks ", "Buffet "]),
               rng.choice(["motorcycle ", "scooter ", "electric_scooter "]), minutes]
        lines.append(",".join(str(value) for value in row))
    return lines
