require ["index", "fileinto"];
if header :index 1 :last :contains "received" "from c" { fileinto "Archive"; }
