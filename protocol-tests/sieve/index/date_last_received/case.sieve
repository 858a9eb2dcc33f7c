require ["index", "date", "fileinto"];
if date :index 1 :last :originalzone "received" "date" "2026-11-22" { fileinto "Archive"; }
