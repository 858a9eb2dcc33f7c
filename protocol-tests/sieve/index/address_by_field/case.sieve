require ["index", "fileinto"];
if allof (address :index 2 "to" "erin@example.net", not address :index 2 "to" "carol@example.com") {
    fileinto "Archive";
}
