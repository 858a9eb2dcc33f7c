require ["index"];
if header :index 3 :matches "received" "*" { discard; }
