"""`newswire poll`: feeds fetched over HTTP (http.py), parsed by core/feeds.py, new items
published to the raw topic (poller.py), what was published remembered in a compacted topic
(state.py), and each feed's status shown on the terminal (status.py)."""
