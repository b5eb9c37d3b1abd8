"""Request bodies and response shapes the sprockets API tests share."""

LOCATION = {
    "name": "HQ",
    "address_1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country_code": "us",
}
SPROCKET_TYPE = {"teeth": 12, "pitch_diameter": "24.5", "outside_diameter": "27", "pitch": "6.35"}
