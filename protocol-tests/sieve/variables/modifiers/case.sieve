require ["variables", "fileinto"];
set :upperfirst :lower "x" "ARCHIVE";
fileinto "${x}";
