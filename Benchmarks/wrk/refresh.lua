-- POST /token refresh chains (scripts/bench-http): run with as many threads as connections, so each
-- thread owns one connection and one session, whose refresh token it replaces with the one each
-- answer returns. Line N of the file $REFRESH_TOKENS is thread N's first token.
local count = 0

function setup(thread)
    thread:set("id", count)
    count = count + 1
end

function init(args)
    local index = 0
    for line in io.lines(os.getenv("REFRESH_TOKENS")) do
        if index == id then token = line end
        index = index + 1
    end
end

function request()
    return wrk.format("POST", "/token", { ["Content-Type"] = "application/x-www-form-urlencoded" },
        "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
    if status == 200 then
        token = body:match('"refresh_token":"([^"]+)"') or token
    end
end
