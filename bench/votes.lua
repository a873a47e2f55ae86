-- bench/votes.lua — the wrk script of bench/votes: durable votes from many
-- signed-in participants into one conversation.
--
--   wrk ... -s bench/votes.lua http://HOST:PORT/api/v1/conversations/ID/votes \
--       -- TOKENS STATEMENTS [N]
--
-- TOKENS: a file of API tokens (write scope), one a line, one per
-- participant; STATEMENTS: a file of accepted statement ids, one a line.
-- Each thread builds N (16384) requests in advance — a random participant
-- (Authorization: Bearer), a random statement, a random vote among agree,
-- pass and disagree — and sends them in turn, so that making a request
-- costs wrk next to nothing. The same participant voting on the same
-- statement again is a change of mind (or the same vote again): harmony
-- writes it (the current vote and the history) as it does a first vote.
--
-- Every answer's status is counted; done() prints, after wrk's summary,
--   votes-status CODE COUNT     (one line per status)
--   votes-ok COUNT              (200 and 201: the durable votes)
--   votes-duration-us MICROSECONDS

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

local reqs, nreq, i = {}, 0, 0
counts = {}

local function lines(path)
	local t = {}
	for l in io.lines(path) do
		if l ~= "" then
			t[#t + 1] = l
		end
	end
	return t
end

function init(args)
	local tokens, statements = lines(args[1]), lines(args[2])
	assert(#tokens > 0 and #statements > 0, "bench/votes.lua: no tokens or no statements")
	nreq = tonumber(args[3] or "16384")
	math.randomseed(7919 * (id or 1))
	local votes = { 1, 0, -1 }
	for k = 1, nreq do
		local body = string.format('{"statement": %s, "vote": %d}',
			statements[math.random(#statements)], votes[math.random(3)])
		reqs[k] = wrk.format("POST", nil, {
			["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
			["Content-Type"] = "application/json",
			["Accept"] = "application/json",
		}, body)
	end
end

function request()
	i = i + 1
	if i > nreq then
		i = 1
	end
	return reqs[i]
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
	local total, ok = {}, 0
	for _, t in ipairs(threads) do
		for code, n in pairs(t:get("counts") or {}) do
			total[code] = (total[code] or 0) + n
		end
	end
	for code, n in pairs(total) do
		io.write(string.format("votes-status %d %d\n", code, n))
		if code == 200 or code == 201 then
			ok = ok + n
		end
	end
	io.write(string.format("votes-ok %d\n", ok))
	io.write(string.format("votes-duration-us %d\n", summary.duration))
end
