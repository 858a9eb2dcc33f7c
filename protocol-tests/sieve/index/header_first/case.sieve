require ["index", "fileinto"];
if header :index 1 :contains "received" "from a" { fileinto "Archive"; }
