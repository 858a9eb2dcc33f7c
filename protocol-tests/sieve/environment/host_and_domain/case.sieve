require ["environment", "fileinto"];
if allof (environment :is "host" "mx.example.net", environment :is "domain" "example.net") {
    fileinto "Archive";
}
