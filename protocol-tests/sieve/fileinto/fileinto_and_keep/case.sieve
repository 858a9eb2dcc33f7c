require "fileinto";
fileinto "Lists";
keep;
