require ["regex", "fileinto"];
if address :domain :regex "from" "^(example\\.org|example\\.com)$" { fileinto "Lists"; }
