require ["regex", "variables", "fileinto"];
if header :matches "subject" "H*" { set "a" "${1}"; }
if header :regex "subject" "^x(.*)" { set "a" "no"; }
fileinto "${a}";
