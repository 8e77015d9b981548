"""The web app: server-rendered pages for companies, parks and partners in
Korean, Chinese or English, talking to the other services over RPC only."""
