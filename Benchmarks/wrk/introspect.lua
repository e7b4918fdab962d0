-- POST /introspect of the access token in $ACCESS_TOKEN (scripts/bench-http).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "token=" .. os.getenv("ACCESS_TOKEN")
