-- luacheck settings for the Redis function library (src/store/lua/, linted as the one script
-- Redis loads: `npm run lint:lua`). Redis runs Lua 5.1 with these libraries as globals.
std = 'lua51'
read_globals = { 'redis', 'cjson' }
max_line_length = 140
