require ["regex", "variables", "fileinto"];
if header :regex "from" "^(.*) <([a-z]+)@(.*)>$" { fileinto "${2}/${3}/${1}"; }
