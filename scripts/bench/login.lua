-- wrk script for scripts/bench/backoffice.sh: posts the login form of /connexion over and over
-- with the right password (a wrong one would get the account and address throttled after five
-- attempts) and counts the answers.
--
--   BENCH_LOGIN_EMAIL=… BENCH_LOGIN_PASSWORD=… wrk -s scripts/bench/login.lua http://127.0.0.1:PORT/connexion
--
-- A successful login answers 303 with a `forma_session` cookie. Any other answer (401 wrong
-- password, 429 throttled, 5xx, a 303 without the cookie) is counted as unexpected; wrk's own
-- summary still reports socket errors and timeouts. No Origin header is sent: the server refuses
-- cross-site posts, not requests without an Origin.
--
-- done() prints one line that the benchmark script parses:
--   login.lua: expected=N unexpected=M last_unexpected=STATUS

local email = os.getenv("BENCH_LOGIN_EMAIL") or ""
local password = os.getenv("BENCH_LOGIN_PASSWORD") or ""

local function form_encode(s)
    return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.body = "email=" .. form_encode(email) .. "&password=" .. form_encode(password)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    -- Globals, so that done() can read them from each thread with thread:get().
    expected = 0
    unexpected = 0
    last_unexpected = 0
end

function response(status, headers, body)
    local cookie = headers["set-cookie"] or headers["Set-Cookie"] or ""
    if status == 303 and string.find(cookie, "forma_session=", 1, true) == 1 then
        expected = expected + 1
    else
        unexpected = unexpected + 1
        last_unexpected = status
    end
end

function done(summary, latency, requests)
    local ok, bad, last = 0, 0, 0
    for _, thread in ipairs(threads) do
        ok = ok + (thread:get("expected") or 0)
        bad = bad + (thread:get("unexpected") or 0)
        local l = thread:get("last_unexpected") or 0
        if l ~= 0 then last = l end
    end
    io.write(string.format("login.lua: expected=%d unexpected=%d last_unexpected=%d\n", ok, bad, last))
end
