require ["environment", "variables", "fileinto"];
if allof (environment :is "name" "postamt", environment :matches "version" "*.*.*") {
    fileinto "Lists";
}
