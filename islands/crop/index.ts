// The cropper bundle, loaded only in frames with cropping on. (Scaffold: built in issue 6.)
export {};
