require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "date" "*-*-*" { fileinto "${1}/${2}"; }
