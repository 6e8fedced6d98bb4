"""One module of endpoints per resource; app.py assembles them."""
