-- POST /token password grants for $LOGIN_USER with $LOGIN_PASSWORD (scripts/bench-http): with a wrong
-- password, the failing logins that keep every PAM thread hashing while another route is measured.
local function encode(value)
    return (value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=password&username=" .. encode(os.getenv("LOGIN_USER")) .. "&password=" .. encode(os.getenv("LOGIN_PASSWORD"))
