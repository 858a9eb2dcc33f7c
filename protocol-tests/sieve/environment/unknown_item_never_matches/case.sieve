require ["environment", "relational"];
if anyof (environment :matches "remote-ip" "*", environment :value "ne" "no-such-item" "x") { discard; }
