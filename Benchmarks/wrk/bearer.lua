-- GET /userinfo with the access token in $ACCESS_TOKEN (scripts/bench-http).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCESS_TOKEN")
