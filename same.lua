function request() return wrk.format("POST", "/id/1/like", {["Content-Type"] = "application/json"}, "") end
